from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "commonground.groups"
    label = "groups"

    def ready(self) -> None:
        from commonground.access import relationships
        from commonground.groups.selectors import is_facilitator_of_patient, patients_of_facilitator

        relationships.register(
            relationships.Relationship(
                name=GROUP_FACILITATOR,
                description=(
                    "a current facilitator of a group in which the patient is a member (enrolled, or finished "
                    "with the group)"
                ),
                allows=is_facilitator_of_patient,
                patient_ids=patients_of_facilitator,
            )
        )


# The gateway relationship of a cohort's current facilitators to its members (registered in `ready`).
GROUP_FACILITATOR = "group_facilitator"
