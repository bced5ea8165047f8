// Release policies (issue 17): see README once written.
