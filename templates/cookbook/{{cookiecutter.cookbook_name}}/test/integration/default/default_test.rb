# Chef InSpec test for recipe {{ cookiecutter.cookbook_name }}::default

# The Chef InSpec reference, with examples and documentation, is at
# https://docs.chef.io/inspec/resources/

unless os.windows?
  # An example test: replace it with your own.
  describe user('root'), :skip do
    it { should exist }
  end
end

# An example test: replace it with your own.
describe port(80), :skip do
  it { should_not be_listening }
end
