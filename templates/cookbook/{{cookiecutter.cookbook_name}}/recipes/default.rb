#
# Cookbook:: {{ cookiecutter.cookbook_name }}
# Recipe:: default
#
{{ cookiecutter.license_header }}
