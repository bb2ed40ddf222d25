from django.apps import AppConfig


class CareTeamConfig(AppConfig):
    name = "commonground.careteam"
    label = "careteam"

    def ready(self) -> None:
        from commonground.access import relationships
        from commonground.careteam.selectors import is_on_care_team, patients_of_member

        relationships.register(
            relationships.Relationship(
                name="care_team",
                description="a current member of the patient's care team",
                allows=is_on_care_team,
                patient_ids=patients_of_member,
            )
        )
