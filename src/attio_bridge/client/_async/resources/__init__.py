"""Resources of the async client, named after Attio's spec: one module per group of operations.

Every method maps to one operation (``docs/CLIENT-OPERATIONS.md`` lists them); arguments left
out are not sent (``NOT_GIVEN``), and responses come back as pydantic models. ``_base`` holds
what they share, including what records and entries have in common (``AsyncHolderResource``).
"""

from .activities import AsyncActivities, AsyncActivityRecords
from .attributes import AsyncAttributes
from .call_recordings import AsyncCallRecordings
from .comments import AsyncComments
from .emails import AsyncEmails, AsyncSequences
from .entries import AsyncEntries
from .files import AsyncFiles
from .lists import AsyncLists
from .meetings import AsyncMeetings
from .notes import AsyncNotes
from .objects import AsyncObjects
from .records import AsyncRecords
from .scim import AsyncScim
from .sql import AsyncSql
from .tasks import AsyncTasks
from .threads import AsyncThreads
from .webhooks import AsyncWebhooks
from .workspace_members import AsyncWorkspaceMembers

__all__ = [
    "AsyncActivities",
    "AsyncActivityRecords",
    "AsyncAttributes",
    "AsyncCallRecordings",
    "AsyncComments",
    "AsyncEmails",
    "AsyncEntries",
    "AsyncFiles",
    "AsyncLists",
    "AsyncMeetings",
    "AsyncNotes",
    "AsyncObjects",
    "AsyncRecords",
    "AsyncScim",
    "AsyncSequences",
    "AsyncSql",
    "AsyncTasks",
    "AsyncThreads",
    "AsyncWebhooks",
    "AsyncWorkspaceMembers",
]
