# Django's concrete field kinds in one model (tests/models_test.sh): the
# *.sql files beside it are the table exactly as Django 3.2's migrate made
# it on each engine, which `ormc migrate` must accept as it is.
from django.db import models


class Gadget(models.Model):
    uid = models.UUIDField()
    slug = models.SlugField()
    email = models.EmailField()
    url = models.URLField()
    ip = models.GenericIPAddressField()
    data = models.JSONField(null=True)
    blob = models.BinaryField(null=True)
    big = models.PositiveBigIntegerField()
    small = models.PositiveSmallIntegerField()
    path = models.FilePathField(path="/tmp")
    upload = models.FileField()
    kind = models.CharField(max_length=1, choices=[("a", "A"), ("b", "B")])
