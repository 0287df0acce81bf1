-- content is reduced to its length.
with

source as (
    select * from {{ source('chat', 'anonymous_messages') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as anonymous_message_id,
        cast(chat_id as {{ dbt.type_string() }}) as anonymous_chat_id,
        guest_id,
        {{ dbt.length('content') }} as content_length,
        created_at
    from source
)

select * from renamed
