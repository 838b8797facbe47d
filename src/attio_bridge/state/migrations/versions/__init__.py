"""The state database's revisions, one file each, in the order ``down_revision`` links."""
