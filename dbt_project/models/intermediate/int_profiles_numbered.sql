-- Profiles created by the end of the as-of date: the nodes of the friendship
-- graph. Graph marts join and sort on user_number, an integer, because that
-- is cheaper than on text ids. The numbers follow the byte order of user_id,
-- so "smallest user_id" and "ties by user_id" work the same on numbers.
with

profiles as (
    select * from {{ ref('stg_chat__profiles') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

profiles_as_of as (
    select
        profiles.user_id,
        profiles.created_at,
        profiles.signup_date
    from profiles
    cross join as_of
    where profiles.created_at < as_of.as_of_end_at
),

numbered as (
    select
        user_id,
        row_number() over (
            order by {{ binary_collation('user_id') }}
        ) as user_number,
        created_at,
        signup_date
    from profiles_as_of
)

select * from numbered
