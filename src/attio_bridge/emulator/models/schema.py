"""The workspace schema: objects, lists, attributes, select options and statuses.

Holds state and knows no HTTP. Every lookup accepts what Attio's paths accept: a UUID or an
api_slug for objects, lists and attributes, and a UUID or a title for options and statuses
(API-NOTES §0, gotcha 7). The standard objects and their attributes follow API-NOTES §2.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..clock import new_id, now_ts
from ..errors import (
    NotFoundError,
    SlugConflictError,
    ValidationTypeError,
    ValueNotFoundError,
    not_found,
)

ATTRIBUTE_TYPES = (
    "text",
    "number",
    "checkbox",
    "currency",
    "date",
    "timestamp",
    "rating",
    "status",
    "select",
    "record-reference",
    "actor-reference",
    "location",
    "domain",
    "email-address",
    "phone-number",
    "interaction",
    "personal-name",
)
# Attio lets the API create every type but these two (API-NOTES §2).
NOT_CREATABLE_TYPES = frozenset({"interaction", "personal-name"})
# Types whose attributes may hold several values.
MULTISELECT_TYPES = frozenset(
    {"select", "record-reference", "actor-reference", "domain", "email-address", "phone-number"}
)
SLUG_RE = re.compile(r"^[a-z][a-z0-9_]*$")
SYSTEM_ACTOR: dict[str, Any] = {"type": "system", "id": None}


def attribute_conflict(parent: Parent) -> SlugConflictError:
    """SPEC's 409 for a duplicate attribute api_slug on an object or list."""
    kind = "list" if isinstance(parent, ListDef) else "object"
    return SlugConflictError(
        f"An attribute with the same API slug already exists on this {kind}. "
        "Please choose a different API slug."
    )


def option_conflict(title: str) -> SlugConflictError:
    """SPEC's 409 for a duplicate select option title."""
    return SlugConflictError(f'There is already another select option with the title "{title}".')


def status_conflict(title: str) -> SlugConflictError:
    """SPEC's 409 for a duplicate status title."""
    return SlugConflictError(f'There is already another status with the title "{title}".')


def check_default_value(value: Any) -> dict[str, Any] | None:
    """An attribute's ``default_value`` if it has SPEC's shape: null, ``{type:"dynamic",
    template:<string>}`` or ``{type:"static", template:[values]}``; 400 otherwise."""
    if value is None:
        return None
    kind = value.get("type") if isinstance(value, dict) else None
    template = value.get("template") if isinstance(value, dict) else None
    if (kind == "dynamic" and isinstance(template, str)) or (
        kind == "static" and isinstance(template, list)
    ):
        return {"type": kind, "template": template}
    raise ValidationTypeError(
        '"default_value" must be null, {"type": "dynamic", "template": "current-user" or an '
        'ISO 8601 duration} or {"type": "static", "template": [values]}.'
    )


def _config_part(config: dict[str, Any], key: str) -> dict[str, Any]:
    """``config[key]`` of an attribute body, an object (or absent)."""
    part = config.get(key) or {}
    if not isinstance(part, dict):
        raise ValidationTypeError(f'"config.{key}" must be an object.')
    return part


def _is_uuid(value: str) -> bool:
    return len(value) == 36 and value.count("-") == 4


@dataclass(slots=True)
class SelectOption:
    """One option of a select attribute."""

    option_id: str
    title: str
    is_archived: bool = False


@dataclass(slots=True)
class Status:
    """One status of a status attribute."""

    status_id: str
    title: str
    is_archived: bool = False
    celebration_enabled: bool = False
    target_time_in_status: str | None = None


@dataclass(slots=True, eq=False)
class Attribute:
    """An attribute of an object or a list (``parent_id`` is the object or list id)."""

    attribute_id: str
    parent_id: str
    api_slug: str
    title: str
    type: str
    description: str | None = None
    is_system_attribute: bool = False
    is_writable: bool = True
    is_required: bool = False
    is_unique: bool = False
    is_multiselect: bool = False
    is_archived: bool = False
    default_value: dict[str, Any] | None = None
    currency_code: str | None = None
    currency_display: str | None = None
    allowed_object_ids: list[str] | None = None
    relationship_id: str | None = None
    created_at: str = field(default_factory=now_ts)
    options: dict[str, SelectOption] = field(default_factory=dict)
    statuses: dict[str, Status] = field(default_factory=dict)

    def find_option(self, ident: str) -> SelectOption | None:
        """An option by UUID or title (titles match case-sensitively, as Attio does)."""
        opt = self.options.get(ident)
        if opt is not None:
            return opt
        for opt in self.options.values():
            if opt.title == ident:
                return opt
        return None

    def find_status(self, ident: str) -> Status | None:
        """A status by UUID or title."""
        st = self.statuses.get(ident)
        if st is not None:
            return st
        for st in self.statuses.values():
            if st.title == ident:
                return st
        return None


@dataclass(slots=True)
class Parent:
    """What attributes hang off: an object or a list."""

    id: str
    api_slug: str
    created_at: str
    attributes: dict[str, Attribute] = field(default_factory=dict)
    attributes_by_slug: dict[str, Attribute] = field(default_factory=dict)

    def add_attribute(self, attr: Attribute) -> None:
        """Register ``attr`` under its id and slug."""
        self.attributes[attr.attribute_id] = attr
        self.attributes_by_slug[attr.api_slug] = attr

    def find_attribute(self, ident: str) -> Attribute | None:
        """An attribute by UUID or api_slug."""
        return self.attributes_by_slug.get(ident) or self.attributes.get(ident)


@dataclass(slots=True)
class ObjectDef(Parent):
    """An object (people, companies, deals, users, workspaces or a custom one)."""

    singular_noun: str = ""
    plural_noun: str = ""
    is_standard: bool = False


@dataclass(slots=True)
class ListDef(Parent):
    """A list, whose entries each point at one record of ``parent_object_id``."""

    name: str = ""
    parent_object_id: str = ""
    workspace_access: str | None = "full-access"
    workspace_member_access: list[dict[str, str]] = field(default_factory=list)
    created_by_actor: dict[str, Any] = field(default_factory=lambda: dict(SYSTEM_ACTOR))


@dataclass(slots=True)
class ActivityDef(Parent):
    """An activity (docs.attio.com/docs/activities): a kind of event, whose records are events.

    ``extends`` is the schema it builds on (``activities``, ``interactions``, ``calls`` or
    ``emails``), chosen at creation and never changed."""

    singular_noun: str = ""
    plural_noun: str = ""
    extends: str = "activities"
    is_system: bool = False


# The standard objects (API-NOTES §2): slug -> (singular, plural, attributes). Each attribute is
# (slug, title, type, options) with options among: unique, multi, required, readonly, target,
# inverse (the api_slug of the relationship's other side), currency, choices, statuses.
_Spec = tuple[str, str, str, dict[str, Any]]
_SOCIAL: list[_Spec] = [
    ("angellist", "AngelList", "text", {}),
    ("facebook", "Facebook", "text", {}),
    ("instagram", "Instagram", "text", {}),
    ("linkedin", "LinkedIn", "text", {}),
    ("twitter", "Twitter", "text", {}),
]
_INTERACTIONS: list[_Spec] = [
    ("first_interaction", "First interaction", "interaction", {"readonly": True}),
    ("last_interaction", "Last interaction", "interaction", {"readonly": True}),
]
STANDARD_OBJECTS: dict[str, tuple[str, str, list[_Spec]]] = {
    "people": (
        "Person",
        "People",
        [
            ("name", "Name", "personal-name", {}),
            (
                "email_addresses",
                "Email addresses",
                "email-address",
                {"unique": True, "multi": True},
            ),
            ("company", "Company", "record-reference", {"target": "companies", "inverse": "team"}),
            ("description", "Description", "text", {}),
            ("job_title", "Job title", "text", {}),
            ("phone_numbers", "Phone numbers", "phone-number", {"multi": True}),
            ("primary_location", "Primary location", "location", {}),
            *_SOCIAL,
            ("avatar_url", "Avatar URL", "text", {"readonly": True}),
            ("twitter_follower_count", "Twitter follower count", "number", {"readonly": True}),
            *_INTERACTIONS,
            (
                "associated_deals",
                "Associated deals",
                "record-reference",
                {"target": "deals", "multi": True, "inverse": "associated_people"},
            ),
            (
                "associated_users",
                "Associated users",
                "record-reference",
                {"target": "users", "multi": True, "inverse": "person"},
            ),
        ],
    ),
    "companies": (
        "Company",
        "Companies",
        [
            ("domains", "Domains", "domain", {"unique": True, "multi": True}),
            ("name", "Name", "text", {}),
            ("description", "Description", "text", {}),
            (
                "team",
                "Team",
                "record-reference",
                {"target": "people", "multi": True, "inverse": "company"},
            ),
            (
                "categories",
                "Categories",
                "select",
                {
                    "multi": True,
                    "choices": [
                        "B2B",
                        "B2C",
                        "SaaS",
                        "E-commerce",
                        "Enterprise",
                        "Fintech",
                        "Healthcare",
                        "Logistics",
                        "Manufacturing",
                        "Marketplace",
                        "Media",
                        "Retail",
                        "Technology",
                    ],
                },
            ),
            ("primary_location", "Primary location", "location", {}),
            *_SOCIAL,
            ("logo_url", "Logo URL", "text", {"readonly": True}),
            (
                "employee_range",
                "Employee range",
                "select",
                {
                    "readonly": True,
                    "choices": ["1-10", "11-50", "51-250", "251-1K", "1K-5K", "5K-10K", "10K+"],
                },
            ),
            ("foundation_date", "Foundation date", "date", {"readonly": True}),
            *_INTERACTIONS,
            (
                "associated_deals",
                "Associated deals",
                "record-reference",
                {"target": "deals", "multi": True, "inverse": "associated_company"},
            ),
            (
                "associated_workspaces",
                "Associated workspaces",
                "record-reference",
                {"target": "workspaces", "multi": True, "inverse": "company"},
            ),
        ],
    ),
    "deals": (
        "Deal",
        "Deals",
        [
            ("name", "Deal name", "text", {"required": True}),
            (
                "stage",
                "Deal stage",
                "status",
                {"required": True, "statuses": ["Lead", "In Progress", "Won 🎉", "Lost"]},
            ),
            ("owner", "Deal owner", "actor-reference", {"required": True}),
            ("value", "Deal value", "currency", {"currency": "USD"}),
            (
                "associated_people",
                "Associated people",
                "record-reference",
                {"target": "people", "multi": True, "inverse": "associated_deals"},
            ),
            (
                "associated_company",
                "Associated company",
                "record-reference",
                {"target": "companies", "inverse": "associated_deals"},
            ),
        ],
    ),
    "users": (
        "User",
        "Users",
        [
            ("user_id", "User ID", "text", {"unique": True, "required": True}),
            (
                "primary_email_address",
                "Primary email address",
                "email-address",
                {"unique": True, "required": True},
            ),
            (
                "person",
                "Person",
                "record-reference",
                {"target": "people", "inverse": "associated_users"},
            ),
            (
                "workspace",
                "Workspace",
                "record-reference",
                {"target": "workspaces", "multi": True, "inverse": "users"},
            ),
        ],
    ),
    "workspaces": (
        "Workspace",
        "Workspaces",
        [
            ("workspace_id", "Workspace ID", "text", {"unique": True, "required": True}),
            ("name", "Name", "text", {}),
            (
                "users",
                "Users",
                "record-reference",
                {"target": "users", "multi": True, "inverse": "workspace"},
            ),
            (
                "company",
                "Company",
                "record-reference",
                {"target": "companies", "inverse": "associated_workspaces"},
            ),
            ("avatar_url", "Avatar URL", "text", {}),
        ],
    ),
}
# Every object carries these read-only system attributes (API-NOTES §2).
_SYSTEM_ATTRIBUTES: list[_Spec] = [
    ("record_id", "Record ID", "text", {"readonly": True, "unique": True}),
    ("created_at", "Created at", "timestamp", {"readonly": True}),
    ("created_by", "Created by", "actor-reference", {"readonly": True}),
]


class Schema:
    """Objects and lists with their attributes; the resolver every other model uses."""

    def __init__(self, workspace_id: str) -> None:
        self.workspace_id = workspace_id
        self.objects: dict[str, ObjectDef] = {}
        self.lists: dict[str, ListDef] = {}
        self._object_slugs: dict[str, ObjectDef] = {}
        self._list_slugs: dict[str, ListDef] = {}
        self.attributes: dict[str, Attribute] = {}
        # Activities (models/activities.py keeps their records and events).
        self.activities: dict[str, ActivityDef] = {}
        self.activity_slugs: dict[str, ActivityDef] = {}

    # -- lookups -------------------------------------------------------------------------------
    def find_object(self, ident: str) -> ObjectDef | None:
        """An object by UUID or api_slug, or None."""
        return self._object_slugs.get(ident) or self.objects.get(ident)

    def get_object(self, ident: str) -> ObjectDef:
        """An object by UUID or api_slug; 404 ``not_found`` if missing."""
        obj = self.find_object(ident)
        if obj is None:
            raise not_found("Object", ident)
        return obj

    def find_list(self, ident: str) -> ListDef | None:
        """A list by UUID or api_slug, or None."""
        return self._list_slugs.get(ident) or self.lists.get(ident)

    def get_list(self, ident: str) -> ListDef:
        """A list by UUID or api_slug; 404 ``not_found`` if missing."""
        lst = self.find_list(ident)
        if lst is None:
            raise not_found("List", ident)
        return lst

    def get_parent(self, target: str, ident: str) -> Parent:
        """The object or list named by a ``/{target}/{identifier}`` path pair."""
        if target == "objects":
            return self.get_object(ident)
        if target == "lists":
            return self.get_list(ident)
        if target == "activities":
            return self.get_activity(ident)
        raise NotFoundError(f'Target "{target}" not found. Use "objects" or "lists".')

    def get_activity(self, ident: str) -> ActivityDef:
        """An activity by UUID or api_slug; 404 ``not_found`` if missing."""
        act = self.activity_slugs.get(ident) or self.activities.get(ident)
        if act is None:
            raise not_found("Activity", ident)
        return act

    def get_attribute(self, parent: Parent, ident: str) -> Attribute:
        """An attribute of ``parent`` by UUID or api_slug; 404 if missing."""
        attr = parent.find_attribute(ident)
        if attr is None:
            raise not_found("Attribute", ident)
        return attr

    def parent_slug(self, parent_id: str) -> str:
        """The api_slug of the object or list with this id."""
        parent: Parent | None = (
            self.objects.get(parent_id)
            or self.lists.get(parent_id)
            or self.activities.get(parent_id)
        )
        return parent.api_slug if parent else parent_id

    def parent_of(self, attr: Attribute) -> Parent:
        """The object or list ``attr`` belongs to."""
        parent: Parent | None = (
            self.objects.get(attr.parent_id)
            or self.lists.get(attr.parent_id)
            or self.activities.get(attr.parent_id)
        )
        assert parent is not None
        return parent

    # -- objects -------------------------------------------------------------------------------
    def create_object(
        self, api_slug: str, singular_noun: str, plural_noun: str, *, standard: bool = False
    ) -> ObjectDef:
        """A new object with the system attributes every object has."""
        self._check_slug(api_slug, "api_slug")
        if self.find_object(api_slug) is not None:
            raise SlugConflictError(
                "Failed to create object. Please ensure your api_slug and names are unique."
            )
        obj = ObjectDef(
            id=new_id(),
            api_slug=api_slug,
            created_at=now_ts(),
            singular_noun=singular_noun,
            plural_noun=plural_noun,
            is_standard=standard,
        )
        self.objects[obj.id] = obj
        self._object_slugs[api_slug] = obj
        for slug, title, type_, opts in _SYSTEM_ATTRIBUTES:
            self._add_spec(obj, slug, title, type_, opts, system=True)
        return obj

    def rename_object(self, obj: ObjectDef, api_slug: str | None) -> None:
        """Change an object's api_slug, keeping the slug index right."""
        if api_slug is None or api_slug == obj.api_slug:
            return
        self._check_slug(api_slug, "api_slug")
        if self.find_object(api_slug) is not None:
            raise SlugConflictError("Failed to update object. Please ensure api_slug is unique.")
        del self._object_slugs[obj.api_slug]
        obj.api_slug = api_slug
        self._object_slugs[api_slug] = obj

    def forget_object_slug(self, api_slug: str) -> None:
        """Drop a deleted object's slug from the index, so the slug can be used again."""
        self._object_slugs.pop(api_slug, None)

    def install_standard_objects(self) -> None:
        """Create people, companies, deals, users and workspaces with their real attributes."""
        for slug, (singular, plural, _) in STANDARD_OBJECTS.items():
            self.create_object(slug, singular, plural, standard=True)
        pending: list[tuple[Attribute, str, str]] = []
        for slug, (_, _, specs) in STANDARD_OBJECTS.items():
            obj = self.get_object(slug)
            for a_slug, title, type_, opts in specs:
                attr = self._add_spec(obj, a_slug, title, type_, opts, system=True)
                if "inverse" in opts:
                    pending.append((attr, opts["target"], opts["inverse"]))
        for attr, target, inverse in pending:
            other = self.get_object(target).find_attribute(inverse)
            assert other is not None, (attr.api_slug, target, inverse)
            attr.relationship_id = other.attribute_id

    def _add_spec(
        self,
        parent: Parent,
        slug: str,
        title: str,
        type_: str,
        opts: dict[str, Any],
        system: bool,
        make_id: Callable[[], str] = new_id,
    ) -> Attribute:
        attr = Attribute(
            attribute_id=make_id(),
            parent_id=parent.id,
            api_slug=slug,
            title=title,
            type=type_,
            is_system_attribute=system,
            is_writable=not opts.get("readonly", False),
            is_required=opts.get("required", False),
            is_unique=opts.get("unique", False),
            is_multiselect=opts.get("multi", False),
        )
        if type_ == "currency":
            attr.currency_code = opts.get("currency", "USD")
            attr.currency_display = "symbol"
        if "target" in opts:
            attr.allowed_object_ids = [self.get_object(opts["target"]).id]
        for choice in opts.get("choices", ()):
            opt = SelectOption(make_id(), choice)
            attr.options[opt.option_id] = opt
        for title_ in opts.get("statuses", ()):
            st = Status(make_id(), title_, celebration_enabled=title_.startswith("Won"))
            attr.statuses[st.status_id] = st
        parent.add_attribute(attr)
        self.attributes[attr.attribute_id] = attr
        return attr

    # -- activities ----------------------------------------------------------------------------
    def add_activity(
        self, act: ActivityDef, attributes: list[_Spec], make_id: Callable[[], str] = new_id
    ) -> ActivityDef:
        """Register ``act`` (its slug checked free) with the system attributes every record
        has and ``attributes`` of its own, their ids made by ``make_id``."""
        self._check_slug(act.api_slug, "api_slug")
        if act.api_slug in self.activity_slugs:
            raise SlugConflictError(f'An activity with api_slug "{act.api_slug}" already exists.')
        self.activities[act.id] = act
        self.activity_slugs[act.api_slug] = act
        for slug, title, type_, opts in [*_SYSTEM_ATTRIBUTES, *attributes]:
            self._add_spec(act, slug, title, type_, opts, system=True, make_id=make_id)
        return act

    def rename_activity(self, act: ActivityDef, api_slug: str) -> None:
        """Change an activity's api_slug, keeping the slug index right."""
        if api_slug == act.api_slug:
            return
        self._check_slug(api_slug, "api_slug")
        if api_slug in self.activity_slugs:
            raise SlugConflictError(f'An activity with api_slug "{api_slug}" already exists.')
        del self.activity_slugs[act.api_slug]
        act.api_slug = api_slug
        self.activity_slugs[api_slug] = act

    def remove_activity(self, act: ActivityDef) -> None:
        """Forget an activity and its attributes."""
        self.activities.pop(act.id, None)
        self.activity_slugs.pop(act.api_slug, None)
        for attr_id in act.attributes:
            self.attributes.pop(attr_id, None)

    # -- lists ---------------------------------------------------------------------------------
    def create_list(
        self,
        name: str,
        api_slug: str,
        parent_object: str,
        workspace_access: str | None,
        workspace_member_access: list[dict[str, str]],
        actor: dict[str, Any],
    ) -> ListDef:
        """A new list on ``parent_object`` (slug or id)."""
        self._check_slug(api_slug, "api_slug")
        obj = self.find_object(parent_object)
        if obj is None:
            raise not_found("Parent object", parent_object)  # the spec's POST /v2/lists 404
        if self.find_list(api_slug) is not None:
            raise SlugConflictError(f'A list with api_slug "{api_slug}" already exists.')
        lst = ListDef(
            id=new_id(),
            api_slug=api_slug,
            created_at=now_ts(),
            name=name,
            parent_object_id=obj.id,
            workspace_access=workspace_access,
            workspace_member_access=workspace_member_access,
            created_by_actor=actor,
        )
        self.lists[lst.id] = lst
        self._list_slugs[api_slug] = lst
        return lst

    def rename_list(self, lst: ListDef, api_slug: str | None) -> None:
        """Change a list's api_slug, keeping the slug index right."""
        if api_slug is None or api_slug == lst.api_slug:
            return
        self._check_slug(api_slug, "api_slug")
        if self.find_list(api_slug) is not None:
            raise SlugConflictError(f'A list with api_slug "{api_slug}" already exists.')
        del self._list_slugs[lst.api_slug]
        lst.api_slug = api_slug
        self._list_slugs[api_slug] = lst

    def delete_list(self, lst: ListDef) -> None:
        """Remove a list and its attributes from the schema."""
        self.lists.pop(lst.id, None)
        self._list_slugs.pop(lst.api_slug, None)
        for attr_id in lst.attributes:
            self.attributes.pop(attr_id, None)

    # -- attributes ----------------------------------------------------------------------------
    def create_attribute(
        self,
        parent: Parent,
        data: dict[str, Any],
        check_default: Callable[[Attribute, dict[str, Any] | None], Any] | None = None,
    ) -> list[Attribute]:
        """A new attribute from a validated create body; two when it defines a relationship.

        ``check_default`` validates and normalises the default value of the finished attribute
        before anything is registered (``values.check_default``; schema knows no values).
        """
        slug = data["api_slug"]
        type_ = data["type"]
        self._check_slug(slug, "api_slug")
        if type_ not in ATTRIBUTE_TYPES:
            raise ValidationTypeError(
                f'Attribute type "{type_}" is not valid. Use one of: {", ".join(ATTRIBUTE_TYPES)}.'
            )
        if type_ in NOT_CREATABLE_TYPES:
            raise ValidationTypeError(
                f'Attributes of type "{type_}" cannot be created through the API.'
            )
        if type_ == "status" and not isinstance(parent, ListDef):
            raise ValidationTypeError(
                "Status attributes can only be created on lists, not on objects."
            )
        if isinstance(parent, ActivityDef) and data.get("relationship"):
            raise ValidationTypeError(
                "An activity's attributes cannot define a relationship: link activity records "
                "to records with a record-reference attribute."
            )
        if data.get("is_unique"):
            self.check_can_be_unique(parent, type_)
        if data.get("is_multiselect") and type_ not in MULTISELECT_TYPES:
            raise ValidationTypeError(f'Attributes of type "{type_}" cannot be multiselect.')
        if parent.find_attribute(slug) is not None:
            raise attribute_conflict(parent)
        config = data.get("config") or {}
        attr = Attribute(
            attribute_id=new_id(),
            parent_id=parent.id,
            api_slug=slug,
            title=data["title"],
            type=type_,
            description=data.get("description"),
            is_required=bool(data.get("is_required")),
            is_unique=bool(data.get("is_unique")),
            is_multiselect=bool(data.get("is_multiselect")),
            default_value=check_default_value(data.get("default_value")),
        )
        if type_ == "currency":
            cur = _config_part(config, "currency")
            attr.currency_code = cur.get("default_currency_code") or "USD"
            attr.currency_display = cur.get("display_type") or "symbol"
        created = [attr]
        rel = data.get("relationship")
        if rel is not None and type_ != "record-reference":
            raise ValidationTypeError(
                'A relationship can only be created with an attribute of type "record-reference".'
            )
        if type_ == "record-reference":
            ref = _config_part(config, "record_reference")
            allowed = ref.get("allowed_objects") or ref.get("allowed_object_ids") or []
            if not isinstance(allowed, list) or not all(isinstance(i, str) for i in allowed):
                raise ValidationTypeError(
                    '"config.record_reference.allowed_objects" must be an array of object slugs '
                    "or IDs."
                )
            ids = []
            for ident in allowed:
                target = self.find_object(ident)
                if target is None:
                    raise ValueNotFoundError(f'Object with slug/ID "{ident}" not found.')
                ids.append(target.id)
            if rel is not None:
                # SPEC: relationship.object names the other side; allowed_objects may be left
                # out, and when given must contain only that object.
                missing = [
                    k
                    for k in ("object", "title", "api_slug", "is_multiselect")
                    if not isinstance(rel, dict) or k not in rel
                ]
                if missing:
                    raise ValidationTypeError(
                        f"Missing required relationship fields: {', '.join(missing)}."
                    )
                other = self.find_object(str(rel["object"]))
                if other is None:
                    raise ValueNotFoundError(f'Object with slug/ID "{rel["object"]}" not found.')
                if ids and ids != [other.id]:
                    raise ValidationTypeError(
                        "config.record_reference.allowed_objects must contain only the "
                        f'relationship object "{other.api_slug}".'
                    )
                ids = [other.id]
            attr.allowed_object_ids = ids
            if rel is not None:
                if not isinstance(parent, ObjectDef):
                    raise ValidationTypeError(
                        "Relationships can only be created between objects, not on lists."
                    )
                target_obj = self.objects[ids[0]]
                inv_slug = rel["api_slug"]
                self._check_slug(inv_slug, "relationship.api_slug")
                if target_obj.find_attribute(inv_slug) is not None or (
                    target_obj is parent and inv_slug == slug
                ):
                    raise attribute_conflict(target_obj)
                inverse = Attribute(
                    attribute_id=new_id(),
                    parent_id=target_obj.id,
                    api_slug=inv_slug,
                    title=rel.get("title") or inv_slug,
                    type="record-reference",
                    is_multiselect=bool(rel.get("is_multiselect")),
                    allowed_object_ids=[parent.id],
                    relationship_id=attr.attribute_id,
                )
                attr.relationship_id = inverse.attribute_id
                created.append(inverse)
        if check_default is not None:
            attr.default_value = check_default(attr, attr.default_value)
        for a in created:
            self.parent_of(a).add_attribute(a)
            self.attributes[a.attribute_id] = a
        return created

    @staticmethod
    def check_can_be_unique(parent: Parent, type_: str) -> None:
        """Refuse what Attio refuses: unique selects, custom unique attributes on companies."""
        if type_ == "select":
            raise ValidationTypeError("Select attributes cannot be unique.")
        if isinstance(parent, ObjectDef) and parent.is_standard and parent.api_slug == "companies":
            raise ValidationTypeError("Custom unique attributes cannot be added to companies.")

    def rename_attribute(self, parent: Parent, attr: Attribute, api_slug: str) -> None:
        """Change an attribute's api_slug, keeping the slug index right."""
        if api_slug == attr.api_slug:
            return
        self._check_slug(api_slug, "api_slug")
        if parent.find_attribute(api_slug) is not None:
            raise attribute_conflict(parent)
        del parent.attributes_by_slug[attr.api_slug]
        attr.api_slug = api_slug
        parent.attributes_by_slug[api_slug] = attr

    def add_option(self, attr: Attribute, title: str) -> SelectOption:
        """A new select option; 409 ``slug_conflict`` on a duplicate title."""
        if attr.type != "select":
            raise ValidationTypeError("This attribute is not a select attribute.")
        if attr.find_option(title) is not None:
            raise option_conflict(title)
        opt = SelectOption(new_id(), title)
        attr.options[opt.option_id] = opt
        return opt

    def add_status(self, attr: Attribute, data: dict[str, Any]) -> Status:
        """A new status; 409 ``slug_conflict`` on a duplicate title."""
        if attr.type != "status":
            raise ValidationTypeError("This attribute is not a status attribute.")
        title = data["title"]
        if attr.find_status(title) is not None:
            raise status_conflict(title)
        st = Status(
            new_id(),
            title,
            celebration_enabled=bool(data.get("celebration_enabled", False)),
            target_time_in_status=data.get("target_time_in_status"),
        )
        attr.statuses[st.status_id] = st
        return st

    @staticmethod
    def _check_slug(slug: Any, name: str) -> None:
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            raise ValidationTypeError(
                f'"{name}" must be snake_case (lowercase letters, digits and underscores, '
                f"starting with a letter); got {slug!r}."
            )
