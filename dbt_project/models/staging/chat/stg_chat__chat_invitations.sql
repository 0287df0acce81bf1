with

source as (
    select * from {{ source('chat', 'chat_invitations') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as invitation_id,
        cast(chat_id as {{ dbt.type_string() }}) as chat_id,
        cast(inviting_user_id as {{ dbt.type_string() }}) as inviting_user_id,
        cast(invited_user_id as {{ dbt.type_string() }}) as invited_user_id,
        status,
        created_at
    from source
)

select * from renamed
