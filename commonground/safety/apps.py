from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "commonground.safety"
    label = "safety"

    def ready(self) -> None:
        from commonground.access import relationships
        from commonground.safety.selectors import is_recent_alert_recipient, patients_of_alert_recipient

        relationships.register(
            relationships.Relationship(
                name=ALERT_RECIPIENT,
                description="a clinician an alert of the patient was sent on to (the on-call clinician, say)",
                allows=is_recent_alert_recipient,
                patient_ids=patients_of_alert_recipient,
            )
        )


ALERT_RECIPIENT = "alert_recipient"
