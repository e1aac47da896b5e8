"""Inheritance as real projects write it (tests/conformance/inherit.txt).

Abstract bases and mixins (fields copied, no table), multi-table
inheritance over two levels (a `<parent>_ptr` one-to-one primary key,
parents' fields joined), a proxy model, relations to a parent and to a
child, and Django's concrete field kinds.
"""
from django.db import models


class Timestamped(models.Model):
    created = models.DateField()

    class Meta:
        abstract = True
        ordering = ["id"]


class Named(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        abstract = True


class Place(Named, Timestamped):
    city = models.CharField(max_length=30)
    rating = models.IntegerField(null=True)


class Restaurant(Place):
    serves_pizza = models.BooleanField(default=False)
    seats = models.PositiveSmallIntegerField()


class Bar(Place):
    happy_hour = models.BooleanField(default=False)


class Pizzeria(Restaurant):
    ovens = models.IntegerField()


class Review(Timestamped):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="reviews")
    stars = models.IntegerField()


class Dish(Named):
    restaurant = models.ForeignKey(Restaurant, on_delete=models.CASCADE)
    price = models.DecimalField(max_digits=6, decimal_places=2)


class LocalPlace(Place):
    class Meta:
        proxy = True
        ordering = ["name"]


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
