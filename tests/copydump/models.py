# tests/copydump/models.py -- every kind of value ormc copy and dump carry
# (tests/copy_dump_test.sh): awkward floats and text, microseconds, NULLs,
# a self reference, a symmetrical many-to-many, UUIDs and durations.
from django.db import models


class Kind(models.Model):
    label = models.CharField(max_length=40)
    note = models.TextField(null=True)
    ratio = models.FloatField(null=True)
    amount = models.DecimalField(max_digits=12, decimal_places=4, null=True)
    born = models.DateField(null=True)
    seen = models.DateTimeField(null=True)
    at = models.TimeField(null=True)
    spent = models.DurationField(null=True)
    token = models.UUIDField(null=True)
    flag = models.BooleanField(null=True)
    big = models.BigIntegerField(null=True)
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
    friends = models.ManyToManyField("self")
