-- Chat invitations per chat, and how far chains of accepted invitations
-- reach from the chat's creator.
with recursive

invitations as (
    select * from {{ ref('stg_chat__chat_invitations') }}
),

chats as (
    select * from {{ ref('stg_chat__chats') }}
),

user_chat_days as (
    select * from {{ ref('int_user_chat_days_activity') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- chat_invitations stores no time of acceptance or refusal, so an
-- invitation sent by the as-of date counts with its stored status.
invitations_as_of as (
    select
        invitations.invitation_id,
        invitations.chat_id,
        invitations.inviting_user_id,
        invitations.invited_user_id,
        invitations.status
    from invitations
    cross join as_of
    inner join chats
        on invitations.chat_id = chats.chat_id
    where
        invitations.created_at < as_of.as_of_end_at
        and chats.created_at < as_of.as_of_end_at
),

invited_chats as (
    select distinct
        chats.chat_id,
        chats.created_by_user_id
    from chats
    inner join invitations_as_of
        on chats.chat_id = invitations_as_of.chat_id
),

accepted_invitations as (
    select
        chat_id,
        inviting_user_id,
        invited_user_id
    from invitations_as_of
    where status = 'accepted'
),

-- Chains of accepted invitations from the creator. visited_path lists the
-- users on the chain as '/id/id/.../', so a chain never visits a user twice
-- and an invitation that closes a cycle adds no depth.
cascades (chat_id, user_id, cascade_depth, visited_path) as (
    select
        chat_id,
        created_by_user_id as user_id,
        0 as cascade_depth,
        cast(
            {{ dbt.concat(["'/'", 'created_by_user_id', "'/'"]) }}
            as {{ dbt.type_string() }}
        ) as visited_path
    from invited_chats

    union all

    select
        cascades.chat_id,
        accepted_invitations.invited_user_id as user_id,
        cascades.cascade_depth + 1 as cascade_depth,
        cast(
            {{ dbt.concat([
                'cascades.visited_path',
                'accepted_invitations.invited_user_id',
                "'/'",
            ]) }} as {{ dbt.type_string() }}
        ) as visited_path
    from cascades
    inner join accepted_invitations
        on
            cascades.chat_id = accepted_invitations.chat_id
            and cascades.user_id = accepted_invitations.inviting_user_id
    where
        cascades.cascade_depth < 50
        and {{ dbt.position(
            dbt.concat(["'/'", 'accepted_invitations.invited_user_id', "'/'"]),
            'cascades.visited_path'
        ) }} = 0
),

cascade_depths as (
    select
        chat_id,
        max(cascade_depth) as max_cascade_depth
    from cascades
    group by chat_id
),

chat_posters as (
    select distinct
        chat_id,
        user_id
    from user_chat_days
),

invitees_who_posted as (
    select
        accepted_invitations.chat_id,
        count(distinct accepted_invitations.invited_user_id)
            as invitees_who_posted
    from accepted_invitations
    inner join chat_posters
        on
            accepted_invitations.chat_id = chat_posters.chat_id
            and accepted_invitations.invited_user_id = chat_posters.user_id
    group by accepted_invitations.chat_id
),

invitation_counts as (
    select
        chat_id,
        count(*) as invitations,
        sum(case when status = 'accepted' then 1 else 0 end) as accepted,
        sum(case when status = 'declined' then 1 else 0 end) as declined,
        sum(case when status = 'pending' then 1 else 0 end) as pending
    from invitations_as_of
    group by chat_id
),

final as (
    select
        invitation_counts.chat_id,
        invitation_counts.invitations,
        invitation_counts.accepted,
        invitation_counts.declined,
        invitation_counts.pending,
        cast(invitation_counts.accepted as {{ dbt.type_float() }})
        / nullif(invitation_counts.accepted + invitation_counts.declined, 0)
            as acceptance_rate,
        coalesce(cascade_depths.max_cascade_depth, 0) as max_cascade_depth,
        coalesce(invitees_who_posted.invitees_who_posted, 0)
            as invitees_who_posted
    from invitation_counts
    left join cascade_depths
        on invitation_counts.chat_id = cascade_depths.chat_id
    left join invitees_who_posted
        on invitation_counts.chat_id = invitees_who_posted.chat_id
)

select * from final
