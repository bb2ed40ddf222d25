"""Outgoing e-mail, queued in the database and delivered by a job after the request commits."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class OutgoingEmail(models.Model):
    """Bodies carry links and plain notices, never clinical content; the body is cleared once sent."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
