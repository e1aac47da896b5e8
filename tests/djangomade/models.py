# tests/djangomade/models.py -- a project as Django users write one, whose
# tables Django makes (tests/djangomade_test.sh): a UUID primary key and
# foreign keys to it, BigAutoField and SmallAutoField keys, tables named by
# SQL keywords, a db_column with a capital and a space, foreign keys that
# form a cycle, a many-to-many through a model with fields of its own,
# decimals of 10 places, durations, times with microseconds, a model
# with Meta.managed = False read from a view, and field classes of the
# project's own (MoneyField, CodeField).
import uuid

from django.db import models


class MoneyField(models.DecimalField):
    """Decimals of 2 places, 14 digits unless told."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class CodeField(models.CharField):
    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 12
        super().__init__(*args, **kwargs)


class Account(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=100)
    display = models.CharField(max_length=100, db_column="Display Name")
    active = models.BooleanField(null=True)
    balance = models.DecimalField(max_digits=28, decimal_places=10)
    fee = MoneyField(default=0)
    code = CodeField(null=True, unique=True)


class Group(models.Model):
    id = models.SmallAutoField(primary_key=True)
    name = models.CharField(max_length=50)
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
    owner = models.ForeignKey("User", null=True, on_delete=models.SET_NULL, related_name="owned_groups")
    members = models.ManyToManyField("User", through="Membership", related_name="member_of")

    class Meta:
        db_table = "group"


class User(models.Model):
    id = models.BigAutoField(primary_key=True)
    login = models.CharField(max_length=40, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE)
    main_group = models.ForeignKey(Group, null=True, on_delete=models.SET_NULL, related_name="main_users")
    last_seen = models.DateTimeField(null=True)
    wake = models.TimeField(null=True)
    session = models.DurationField(null=True)
    score = models.FloatField(null=True)

    class Meta:
        db_table = "user"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    group = models.ForeignKey(Group, on_delete=models.CASCADE)
    role = models.CharField(max_length=20)
    joined = models.DateField()


class Order(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    total = models.DecimalField(max_digits=24, decimal_places=10)
    created = models.DateTimeField()
    tags = models.ManyToManyField("Tag")

    class Meta:
        db_table = "order"


class Tag(models.Model):
    name = models.CharField(max_length=30, unique=True)

    class Meta:
        db_table = "select"


class GroupSize(models.Model):
    group = models.OneToOneField(Group, primary_key=True, on_delete=models.DO_NOTHING, db_column="group_id")
    n = models.IntegerField()

    class Meta:
        managed = False
        db_table = "group_size"
