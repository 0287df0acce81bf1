with

source as (
    select * from {{ source('chat', 'anonymous_chats') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as anonymous_chat_id,
        join_code,
        created_at,
        expires_at
    from source
)

select * from renamed
