with

source as (
    select * from {{ source('chat', 'friends') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as friendship_id,
        -- user_id sent the request, friend_id received it.
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(friend_id as {{ dbt.type_string() }}) as friend_id,
        status,
        created_at,
        updated_at
    from source
)

select * from renamed
