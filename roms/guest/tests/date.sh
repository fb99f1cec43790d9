#!/bin/sh
# The guest's clock, as set from the RTC at boot, in seconds since the epoch.
echo "DATE=$(date +%s)"
