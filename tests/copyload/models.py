# tests/copyload/models.py -- the values ormc copy sends into MySQL/MariaDB
# by LOAD DATA LOCAL INFILE (tests/copy_mysql_load_test.sh): bytes that LOAD
# DATA's format escapes (NUL, tab, newline, backslash, "\N"), empty strings
# next to NULLs, non-ASCII text, binary values, JSON, decimals and
# datetimes with microseconds.
from django.db import models


class Group(models.Model):
    name = models.CharField(max_length=20, unique=True)


class Item(models.Model):
    code = models.CharField(max_length=12, unique=True)
    group = models.ForeignKey(Group, null=True, on_delete=models.CASCADE)
    text = models.TextField(null=True)
    blob = models.BinaryField(null=True)
    doc = models.JSONField(null=True)
    amount = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    at = models.DateTimeField(null=True)
    day = models.DateField(null=True)
    ratio = models.FloatField(null=True)
    flag = models.BooleanField(null=True)
    spent = models.DurationField(null=True)
    token = models.UUIDField(null=True)
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
