"""Messages: the care team's conversation about a patient, and the patient's conversation with their team."""
