from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "commonground.referrals"
    label = "referrals"
