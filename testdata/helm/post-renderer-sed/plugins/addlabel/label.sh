#!/bin/sh
# adds a label after every "app: web" label line
exec sed 's/^\( *\)app: web$/\1app: web\n\1team: platform/'
