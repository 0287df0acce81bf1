with

source as (
    select * from {{ source('chat', 'anonymous_chat_users') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as anonymous_chat_user_id,
        cast(chat_id as {{ dbt.type_string() }}) as anonymous_chat_id,
        guest_id,
        created_at as joined_at
    from source
)

select * from renamed
