-- title and message are left out: free text that no model aggregates.
with

source as (
    select * from {{ source('chat', 'notifications') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as notification_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        type as notification_type,
        data,
        read as is_read,
        seen_at is not null as is_seen,
        created_at,
        updated_at,
        seen_at
    from source
)

select * from renamed
