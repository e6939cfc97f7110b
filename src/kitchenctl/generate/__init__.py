"""``kitchenctl generate``: chef-cli's generators, from cookiecutter templates.

The templates live in the top-level ``templates/`` folder of the source tree and ship
inside the wheel as ``kitchenctl/templates``; a user folder overrides them file by file.
"""

from __future__ import annotations

from kitchenctl.generate.generators import (
    CodeFile,
    generate_code_file,
    generate_cookbook,
    generate_policyfile,
    generate_repo,
    license_header,
)
from kitchenctl.generate.model import (
    DependencyTool,
    GeneratedFiles,
    GeneratorDefaults,
    GitOutcome,
    KitchenDriver,
    License,
    parse_license,
)
from kitchenctl.generate.names import cookbook_name
from kitchenctl.generate.templates import builtin_templates_dir

__all__ = [
    "CodeFile",
    "DependencyTool",
    "GeneratedFiles",
    "GeneratorDefaults",
    "GitOutcome",
    "KitchenDriver",
    "License",
    "builtin_templates_dir",
    "cookbook_name",
    "generate_code_file",
    "generate_cookbook",
    "generate_policyfile",
    "generate_repo",
    "license_header",
    "parse_license",
]
