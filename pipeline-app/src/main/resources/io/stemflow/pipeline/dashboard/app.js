// placeholder: the page is being built
