"""Two-factor sign-in (django-otp): an authenticator app's six-digit codes (TOTP) and ten
single-use backup codes, asked for after the password and before any other page."""
