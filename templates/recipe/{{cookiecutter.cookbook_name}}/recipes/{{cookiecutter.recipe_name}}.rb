#
# Cookbook:: {{ cookiecutter.cookbook_name }}
# Recipe:: {{ cookiecutter.recipe_name }}
#
{{ cookiecutter.license_header }}
