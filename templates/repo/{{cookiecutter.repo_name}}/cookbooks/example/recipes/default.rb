#
# Cookbook:: example
# Recipe:: default
#
{{ cookiecutter.license_header }}

log node['example']['message'] do
  level :info
end
