"""Body regions: the one vocabulary shared by intake sites, screening findings and acupoints.

Screening says "avoid the left lower leg"; the point catalogue says "ST36 lies on the lower
leg". Both speak these codes, so a local condition meets the points it rules out.
"""

from __future__ import annotations

from django.db import models


class BodyRegion(models.TextChoices):
    HEAD = "head", "Head and scalp"
    FACE = "face", "Face and eye area"
    EAR = "ear", "Ear"
    NECK = "neck", "Neck and throat"
    SHOULDER = "shoulder", "Shoulder"
    UPPER_BACK = "upper_back", "Upper back"
    LOWER_BACK = "lower_back", "Lower back"
    SACRUM = "sacrum", "Sacrum and buttocks"
    CHEST = "chest", "Chest"
    ABDOMEN = "abdomen", "Upper abdomen"
    LOWER_ABDOMEN = "lower_abdomen", "Lower abdomen"
    UPPER_ARM = "upper_arm", "Upper arm and elbow"
    FOREARM = "forearm", "Forearm and wrist"
    HAND = "hand", "Hand and fingers"
    HIP = "hip", "Hip and groin"
    THIGH = "thigh", "Thigh"
    KNEE = "knee", "Knee"
    LOWER_LEG = "lower_leg", "Lower leg (calf and shin)"
    ANKLE = "ankle", "Ankle"
    FOOT = "foot", "Foot and toes"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both sides"
    MIDLINE = "midline", "Midline"
