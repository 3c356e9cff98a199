"""The agency's own data: the 2018 work programme and agency facts, extracted
from the activity report and validated before the build copies them."""
