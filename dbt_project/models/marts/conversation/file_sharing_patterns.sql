-- File sharing per calendar month (of the attachment's created_at) and MIME
-- family, from the first month with a file to the as-of month. Every family
-- seen up to the as-of date has a row in every month, with zeros when it has
-- no file that month. message_attachment_rate is a per-month value:
-- non-deleted messages created in the month that have an attachment, over
-- all non-deleted messages created in the month. The key column is
-- named month, a keyword, so its aliases carry noqa: RF04.
with

attachments as (
    select * from {{ ref('stg_chat__file_attachments') }}
),

messages as (
    select * from {{ ref('int_messages_as_of') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

attachments_as_of as (
    select
        attachments.attachment_id,
        attachments.message_id,
        attachments.chat_id,
        attachments.user_id,
        attachments.file_size_bytes,
        attachments.mime_family,
        cast(
            {{ dbt.date_trunc('month', 'attachments.created_at') }} as date
        ) as month  -- noqa: RF04
    from attachments
    where attachments.created_at < (select as_of.as_of_end_at from as_of)
),

months as (
    select distinct
        cast(
            {{ dbt.date_trunc('month', 'day_series.day') }} as date
        ) as month  -- noqa: RF04
    from (
        {{ day_series(
            '(select min(month) from attachments_as_of)',
            '(select as_of_date from as_of)'
        ) }}
    ) as day_series
),

families as (
    select distinct mime_family
    from attachments_as_of
),

family_months as (
    select
        months.month,
        families.mime_family
    from months
    cross join families
),

family_files as (
    select
        month,
        mime_family,
        count(*) as files,
        sum(file_size_bytes) as total_bytes,
        {{ percentile_cont(0.5, 'file_size_bytes') }} as median_bytes,
        {{ percentile_cont(0.95, 'file_size_bytes') }} as p95_bytes,
        count(distinct user_id) as uploaders,
        count(distinct chat_id) as chats_with_files
    from attachments_as_of
    group by month, mime_family
),

attached_messages as (
    select distinct message_id
    from attachments_as_of
    where message_id is not null
),

non_deleted_messages as (
    select
        messages.message_id,
        cast(
            {{ dbt.date_trunc('month', 'messages.created_at') }} as date
        ) as month  -- noqa: RF04
    from messages
    where not messages.is_deleted
),

message_months as (
    select
        non_deleted_messages.month,
        count(*) as messages,
        count(attached_messages.message_id) as messages_with_attachment
    from non_deleted_messages
    left join attached_messages
        on non_deleted_messages.message_id = attached_messages.message_id
    group by non_deleted_messages.month
),

final as (
    select
        family_months.month,
        family_months.mime_family,
        coalesce(family_files.files, 0) as files,
        coalesce(family_files.total_bytes, 0) as total_bytes,
        family_files.median_bytes,
        family_files.p95_bytes,
        coalesce(family_files.uploaders, 0) as uploaders,
        coalesce(family_files.chats_with_files, 0) as chats_with_files,
        cast(message_months.messages_with_attachment as double precision)
        / nullif(message_months.messages, 0) as message_attachment_rate
    from family_months
    left join family_files
        on
            family_months.month = family_files.month
            and family_months.mime_family = family_files.mime_family
    left join message_months
        on family_months.month = message_months.month
)

select * from final
