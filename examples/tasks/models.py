# tasks/models.py -- the models of "Tips on Django ORM aggregation" (seed 004).
from enum import Enum, unique
from django.db import models


@unique
class TaskStatus(Enum):
  NOT_STARTED = 0
  IN_PROGRESS = 1
  DEPLOY = 2
  DONE = 3


@unique
class TaskPriority(Enum):
  LOW = 0
  MEDIUM = 1
  HIGH = 2
  CRITICAL = 3


class User(models.Model):
  username = models.CharField(max_length=50)


class Task(models.Model):
  # each task assigned to a user, many tasks per user
  assigned_to = models.ForeignKey(User, related_name='tasks')
  
  title = models.CharField(max_length=250)
  status = models.IntegerField(choices=[(v.value, v.name) for v in TaskStatus])
  priority = models.IntegerField(choices=[(v.value, v.name) for v in TaskPriority])
  hours_spent = models.DecimalField(max_digits=10, decimal_places=2)
