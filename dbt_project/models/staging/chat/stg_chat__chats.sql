with

source as (
    select * from {{ source('chat', 'chats') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as chat_id,
        cast(created_by as {{ dbt.type_string() }}) as created_by_user_id,
        title,
        current_ai_character_id,
        created_at,
        updated_at
    from source
)

select * from renamed
