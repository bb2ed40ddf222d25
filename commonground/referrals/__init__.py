"""Referrals out and in, their wait times and the feedback that closes the loop; the community resource directory."""
