-- Assert that the heatmap has exactly one row per ISO weekday and hour: 7 * 24
-- rows, whatever the data. Returns a row when the count differs.
with

heatmap as (
    select * from {{ ref('activity_heatmap') }}
),

row_count as (
    select count(*) as slots
    from heatmap
)

select * from row_count
where slots <> 168
