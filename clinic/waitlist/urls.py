from django.urls import path

from clinic.waitlist import views

app_name = "waitlist"

urlpatterns = [
    path("", views.entry_list, name="list"),
    path("new/", views.entry_new, name="new"),
    path("<int:pk>/withdraw/", views.entry_withdraw, name="withdraw"),
    path("offer/", views.offer, name="offer"),
    # Public: the emailed claim link (the token is the credential) and its token-free page.
    path("claim/<str:token>/", views.claim_link, name="claim"),
    path("claim/", views.claim_confirm, name="claim_confirm"),
]
