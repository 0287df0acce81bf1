-- file_path is left out: a storage location, not an analytical attribute.
with

source as (
    select * from {{ source('chat', 'file_attachments') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as attachment_id,
        cast(message_id as {{ dbt.type_string() }}) as message_id,
        cast(chat_id as {{ dbt.type_string() }}) as chat_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        file_name,
        file_size as file_size_bytes,
        file_type as mime_type,
        -- The lower-cased part of the MIME type before '/', or 'unknown'
        -- when there is no '/' or nothing before it.
        case
            when {{ dbt.position("'/'", 'file_type') }} > 1
                then lower({{ dbt.split_part('file_type', "'/'", 1) }})
            else 'unknown'
        end as mime_family,
        created_at
    from source
)

select * from renamed
