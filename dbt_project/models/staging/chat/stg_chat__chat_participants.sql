with

source as (
    select * from {{ source('chat', 'chat_participants') }}
),

renamed as (
    select
        cast(chat_id as {{ dbt.type_string() }}) as chat_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        joined_at
    from source
)

select * from renamed
