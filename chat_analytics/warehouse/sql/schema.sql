-- The 11 tables of the chat product, in the "chat" schema.
-- Types follow the product's table documentation, mapped to PostgreSQL:
-- UUID -> uuid, TIMESTAMP_NTZ -> timestamp (without time zone, meaning UTC),
-- VARCHAR(16777216) -> text, ARRAY(VARCHAR) -> text[], VARIANT -> jsonb.
-- A nullable column without a default defaults to NULL, as documented.
-- Every statement is idempotent, so running this file twice changes nothing.

create schema if not exists chat;

create table if not exists chat.profiles (
    id uuid not null default gen_random_uuid(),
    username varchar(255) not null,
    display_name varchar(255) not null,
    avatar_url text not null,
    created_at timestamp not null default current_timestamp,
    updated_at timestamp not null default current_timestamp,
    ai_character_id varchar(255),
    user_role varchar(50) not null default 'user',
    email varchar(255) not null,
    bio text,
    last_username_changed_at timestamp,
    prompt_username_setup boolean not null default false,
    constraint profiles_pkey primary key (id),
    constraint profiles_username_key unique (username),
    constraint profiles_email_key unique (email)
);
create index if not exists profiles_email_idx on chat.profiles (email);
create index if not exists profiles_created_at_idx on chat.profiles (created_at);

create table if not exists chat.chats (
    id uuid not null default gen_random_uuid(),
    title varchar(255) not null,
    created_at timestamp not null default current_timestamp,
    updated_at timestamp not null default current_timestamp,
    current_ai_character_id varchar(255),
    created_by uuid not null,
    constraint chats_pkey primary key (id),
    constraint chats_created_by_fkey foreign key (created_by)
    references chat.profiles (id)
);
create index if not exists chats_created_by_idx on chat.chats (created_by);
create index if not exists chats_created_at_idx on chat.chats (created_at);
create index if not exists chats_updated_at_idx on chat.chats (updated_at);

create table if not exists chat.chat_participants (
    chat_id uuid not null,
    user_id uuid not null,
    joined_at timestamp not null default current_timestamp,
    constraint chat_participants_pkey primary key (chat_id, user_id),
    constraint chat_participants_chat_id_fkey foreign key (chat_id)
    references chat.chats (id),
    constraint chat_participants_user_id_fkey foreign key (user_id)
    references chat.profiles (id)
);
create index if not exists chat_participants_user_id_idx
on chat.chat_participants (user_id);
create index if not exists chat_participants_joined_at_idx
on chat.chat_participants (joined_at);

create table if not exists chat.messages (
    id uuid not null default gen_random_uuid(),
    chat_id uuid not null,
    sender_id uuid,
    content text not null,
    is_ai boolean not null default false,
    ai_character_id varchar(255),
    created_at timestamp not null default current_timestamp,
    updated_at timestamp not null default current_timestamp,
    deleted_at timestamp,
    mentioned_users text [],
    is_system_message boolean not null default false,
    mentions_data jsonb,
    constraint messages_pkey primary key (id),
    constraint messages_chat_id_fkey foreign key (chat_id)
    references chat.chats (id),
    constraint messages_sender_id_fkey foreign key (sender_id)
    references chat.profiles (id),
    constraint messages_system_has_no_sender_check
    check (not is_system_message or sender_id is null),
    constraint messages_content_not_empty_check check (content <> '')
);
create index if not exists messages_sender_id_idx on chat.messages (sender_id);
create index if not exists messages_created_at_idx on chat.messages (created_at);
create index if not exists messages_chat_id_created_at_idx
on chat.messages (chat_id, created_at);
create index if not exists messages_deleted_at_idx
on chat.messages (deleted_at) where deleted_at is null;

create table if not exists chat.friends (
    id uuid not null default gen_random_uuid(),
    user_id uuid not null,
    friend_id uuid not null,
    status varchar(20) not null default 'pending',
    created_at timestamp not null default current_timestamp,
    updated_at timestamp not null default current_timestamp,
    constraint friends_pkey primary key (id),
    constraint friends_user_id_fkey foreign key (user_id)
    references chat.profiles (id),
    constraint friends_friend_id_fkey foreign key (friend_id)
    references chat.profiles (id),
    constraint friends_user_id_friend_id_key unique (user_id, friend_id),
    constraint friends_not_self_check check (user_id <> friend_id)
);
create index if not exists friends_friend_id_idx on chat.friends (friend_id);
create index if not exists friends_status_idx on chat.friends (status);
create index if not exists friends_updated_at_idx on chat.friends (updated_at);

create table if not exists chat.notifications (
    id uuid not null default gen_random_uuid(),
    user_id uuid not null,
    type varchar(50) not null,
    title varchar(255) not null,
    message text not null,
    data jsonb,
    created_at timestamp not null default current_timestamp,
    read boolean not null default false,
    updated_at timestamp not null default current_timestamp,
    seen_at timestamp,
    constraint notifications_pkey primary key (id),
    constraint notifications_user_id_fkey foreign key (user_id)
    references chat.profiles (id)
);
create index if not exists notifications_user_id_read_idx
on chat.notifications (user_id, read);
create index if not exists notifications_created_at_idx
on chat.notifications (created_at);
create index if not exists notifications_type_idx on chat.notifications (type);

create table if not exists chat.file_attachments (
    id uuid not null default gen_random_uuid(),
    message_id uuid,
    chat_id uuid,
    user_id uuid,
    file_name varchar(255) not null,
    file_size integer not null,
    file_type varchar(100) not null,
    file_path text not null,
    created_at timestamp not null default current_timestamp,
    constraint file_attachments_pkey primary key (id),
    constraint file_attachments_message_id_fkey foreign key (message_id)
    references chat.messages (id),
    constraint file_attachments_chat_id_fkey foreign key (chat_id)
    references chat.chats (id),
    constraint file_attachments_user_id_fkey foreign key (user_id)
    references chat.profiles (id)
);
create index if not exists file_attachments_message_id_idx
on chat.file_attachments (message_id);
create index if not exists file_attachments_created_at_idx
on chat.file_attachments (created_at);

create table if not exists chat.anonymous_chats (
    id uuid not null default gen_random_uuid(),
    join_code varchar(50),
    created_at timestamp not null default current_timestamp,
    expires_at timestamp,
    constraint anonymous_chats_pkey primary key (id),
    constraint anonymous_chats_join_code_key unique (join_code)
);
create index if not exists anonymous_chats_expires_at_idx
on chat.anonymous_chats (expires_at);

create table if not exists chat.anonymous_chat_users (
    id uuid not null default gen_random_uuid(),
    chat_id uuid not null,
    guest_id varchar(100),
    created_at timestamp not null default current_timestamp,
    constraint anonymous_chat_users_pkey primary key (id),
    constraint anonymous_chat_users_chat_id_fkey foreign key (chat_id)
    references chat.anonymous_chats (id)
);
create index if not exists anonymous_chat_users_chat_id_idx
on chat.anonymous_chat_users (chat_id);
create index if not exists anonymous_chat_users_guest_id_idx
on chat.anonymous_chat_users (guest_id);

create table if not exists chat.anonymous_messages (
    id uuid not null default gen_random_uuid(),
    chat_id uuid not null,
    guest_id varchar(100),
    content text not null,
    created_at timestamp not null default current_timestamp,
    constraint anonymous_messages_pkey primary key (id),
    constraint anonymous_messages_chat_id_fkey foreign key (chat_id)
    references chat.anonymous_chats (id)
);
create index if not exists anonymous_messages_created_at_idx
on chat.anonymous_messages (created_at);
create index if not exists anonymous_messages_chat_id_created_at_idx
on chat.anonymous_messages (chat_id, created_at);

create table if not exists chat.chat_invitations (
    id uuid not null default gen_random_uuid(),
    chat_id uuid not null,
    inviting_user_id uuid not null,
    invited_user_id uuid not null,
    status varchar(20) not null default 'pending',
    created_at timestamp not null default current_timestamp,
    constraint chat_invitations_pkey primary key (id),
    constraint chat_invitations_chat_id_fkey foreign key (chat_id)
    references chat.chats (id),
    constraint chat_invitations_inviting_user_id_fkey
    foreign key (inviting_user_id) references chat.profiles (id),
    constraint chat_invitations_invited_user_id_fkey
    foreign key (invited_user_id) references chat.profiles (id),
    constraint chat_invitations_chat_id_invited_user_id_key
    unique (chat_id, invited_user_id)
);
create index if not exists chat_invitations_invited_user_id_idx
on chat.chat_invitations (invited_user_id);
create index if not exists chat_invitations_status_idx
on chat.chat_invitations (status);
create index if not exists chat_invitations_created_at_idx
on chat.chat_invitations (created_at);
