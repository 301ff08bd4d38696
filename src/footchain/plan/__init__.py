"""From findings to a plan: referral, insole and self-care."""
