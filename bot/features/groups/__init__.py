"""Group chats bound to areas (/gannhom)."""
