# The README's commands. Everything the project needs is installed from here.
SHELL := /bin/bash
PYTHON ?= python3.12
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Development commands run with DEBUG on (a local secret key in var/); production sets
# DEBUG=0 and SECRET_KEY, without which the settings refuse to start.
DEV := DEBUG=$${DEBUG:-1}

.PHONY: run install system-deps migrate fixtures test lint format bench messages clean

run: install migrate fixtures messages
	$(DEV) $(PY) manage.py collectstatic --noinput -v0
	@echo "Site: http://$(HOST):$(PORT)/  —  admin: http://$(HOST):$(PORT)/admin/ (manage.py createsuperuser)"
	@echo "Emails: sent by the task worker started alongside (console unless EMAIL_URL is set)."
	$(DEV) $(PY) manage.py purge_personal_data --schedule
	$(DEV) $(PY) manage.py send_reminders --schedule
	$(DEV) $(PY) manage.py db_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(PY) manage.py runserver $(HOST):$(PORT)

# Debian packages: gettext (translations), PostgreSQL and Redis (tests), Pango and Noto fonts
# (WeasyPrint), Chromium (browser tests), Java (the Nu HTML Checker).
# Installed only when missing, and only as root.
SYSTEM_PACKAGES := gettext postgresql redis-server libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core fonts-noto-cjk poppler-utils chromium default-jre-headless
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing Debian packages:$$missing (apt-get install them as root)"; exit 1; fi; \
	fi

install: $(STAMP) node_modules/.installed

# axe-core (accessibility tests) and vnu-jar (the Nu HTML Checker, run with the system
# Java), from the npm registry (no CDN at run time). No install scripts: vnu-jar's would
# download a Java runtime of its own.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing (Node.js ships with this machine image)"; exit 1; }
	npm ci --silent --no-audit --no-fund --ignore-scripts
	touch $@

$(STAMP): pyproject.toml | system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip "setuptools>=70,<81" wheel
	# xstatic-bootstrap ships only an sdist whose setup.py imports pkg_resources:
	# build it with the venv's setuptools (<81) rather than an isolated newer one.
	$(PY) -m pip install -q --no-build-isolation -e ".[dev]"
	touch $(STAMP)

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput -v0

fixtures: migrate
	$(DEV) $(PY) manage.py load_edition fixtures/edition_2026.json

messages: install
	$(DEV) $(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The whole suite, as CI runs it: lint, migrations, pytest on SQLite (the tests that depend
# on the engine, and the `once` ones: browser, HTML checker, PDFs) then the whole suite on
# PostgreSQL, production's engine (README, « Tests »)
# (the tests start PostgreSQL themselves when DATABASE_URL is not set, and always a
# redis-server of their own for the several-servers tests). Two pytest-xdist workers, one
# per core of CI's machines; each has its own databases, caches, servers and browser (more
# workers would crowd PostgreSQL's 100 connections in the concurrency tests).
WORKERS ?= 2
test: install lint messages
	$(DEV) $(PY) manage.py makemigrations --check --dry-run
	env -u DATABASE_URL $(PY) -m pytest -n $(WORKERS) -m "sqlite or once"
	$(PY) -m pytest -n $(WORKERS) --postgres

bench: install messages
	@for tool in wrk faketime; do command -v $$tool >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get install -y -qq $$tool >/dev/null; }; done
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var
