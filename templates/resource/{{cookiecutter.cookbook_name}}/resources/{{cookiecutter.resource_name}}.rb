# To learn more about Custom Resources, see https://docs.chef.io/custom_resources/
#
# This file defines the resource {{ cookiecutter.cookbook_name }}_{{ cookiecutter.resource_name }}.
