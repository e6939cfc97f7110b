default['example']['message'] = 'Welcome to Chef Infra Client!'
