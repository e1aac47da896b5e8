# Models of tests/load_migrate_test.sh: a natural key from a unique field
# (Customer.username), one from Meta.unique_together (Tag), a foreign key,
# a many-to-many field and a datetime.
from django.db import models


class Customer(models.Model):
    username = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=100)


class Tag(models.Model):
    label = models.CharField(max_length=30)
    lang = models.CharField(max_length=5)

    class Meta:
        unique_together = (("label", "lang"),)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    placed_at = models.DateTimeField()
    note = models.TextField(null=True)
    tags = models.ManyToManyField(Tag)


class Coupon(models.Model):
    code = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
