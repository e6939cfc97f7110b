#
# Chef Infra documentation on libraries: https://docs.chef.io/libraries/
#

# The module names come from the cookbook name and the helpers name, in CamelCase.
module {{ cookiecutter.cookbook_module }}
  module {{ cookiecutter.helpers_module }}
    #
    # Define the methods that help your recipes, resources or templates here.
    #
    # def my_helper_method
    #   # the helper's implementation
    # end
  end
end

#
# Extend a recipe with the module to call its methods there:
#
#     extend {{ cookiecutter.cookbook_module }}::{{ cookiecutter.helpers_module }}
#
#     my_helper_method
#
# or a single resource:
#
#     template '/etc/app.conf' do
#       extend {{ cookiecutter.cookbook_module }}::{{ cookiecutter.helpers_module }}
#       variables specific_key: my_helper_method
#     end
#
