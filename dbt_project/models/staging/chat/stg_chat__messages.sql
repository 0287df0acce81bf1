-- content is reduced to its length; mentions_data is left out because
-- mentioned_users carries the same ids as a plain array.
with

source as (
    select * from {{ source('chat', 'messages') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as message_id,
        cast(chat_id as {{ dbt.type_string() }}) as chat_id,
        cast(sender_id as {{ dbt.type_string() }}) as sender_id,
        ai_character_id,
        {{ dbt.length('content') }} as content_length,
        mentioned_users,
        is_ai,
        is_system_message,
        deleted_at is not null as is_deleted,
        updated_at > created_at as is_edited,
        -- The speaker of a conversation: the human sender, or the AI
        -- character as 'ai:<id>'; system messages have none.
        case
            when is_system_message then null
            when is_ai
                then
                    {{ dbt.concat(["'ai:'", "coalesce(ai_character_id, '')"]) }}
            else cast(sender_id as {{ dbt.type_string() }})
        end as speaker_id,
        created_at,
        updated_at,
        deleted_at
    from source
)

select * from renamed
