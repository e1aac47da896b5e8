# auth/models.py -- the parts of django.contrib.auth that seed 002 queries
# (User, Group, the user <-> group many-to-many), plus a UserProfile with a
# one-to-one link to User. Load with --app-label auth to get Django's own
# table names: auth_user, auth_group, auth_user_groups, auth_userprofile.
from django.db import models


class Group(models.Model):
    name = models.CharField(max_length=150, unique=True)

    def __str__(self):
        return self.name


class User(models.Model):
    username = models.CharField(max_length=150, unique=True)
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    email = models.EmailField()
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField()
    last_login = models.DateTimeField(null=True)
    groups = models.ManyToManyField(
        Group,
        related_name="user_set",
        related_query_name="user",
    )

    def __str__(self):
        return self.username


class UserProfile(models.Model):
    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="user_profile"
    )
    type = models.CharField(max_length=20)
