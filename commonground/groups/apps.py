from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "commonground.groups"
    label = "groups"


# The gateway relationship of a cohort's current facilitators to its members (registered in `ready`).
GROUP_FACILITATOR = "group_facilitator"
