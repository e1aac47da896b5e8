# edge/models.py -- the conformance suite's own example: the places where
# SQLite, PostgreSQL and MySQL/MariaDB answer differently unless ormc makes
# them agree (NULLs, mixed-case and non-ASCII text, integer division, float
# sums, casts, booleans, dates). The cases are tests/conformance/edge.txt.
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=50)
    city = models.CharField(max_length=50, null=True)


class Tag(models.Model):
    label = models.CharField(max_length=30)


class Player(models.Model):
    name = models.CharField(max_length=50)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, related_name="players")
    goals = models.IntegerField()
    assists = models.IntegerField(null=True)
    rating = models.FloatField(null=True)
    salary = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    active = models.BooleanField(default=True)
    joined = models.DateField(null=True)
    seen = models.DateTimeField(null=True)
    tags = models.ManyToManyField(Tag, related_name="players")
