-- email is left out: no model downstream may expose it.
with

source as (
    select * from {{ source('chat', 'profiles') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as user_id,
        username,
        display_name,
        avatar_url,
        ai_character_id,
        user_role,
        bio,
        prompt_username_setup as is_username_setup_prompted,
        created_at,
        updated_at,
        last_username_changed_at,
        cast(created_at as date) as signup_date
    from source
)

select * from renamed
