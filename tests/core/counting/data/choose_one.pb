META
key;value
description;choose-1: every voter picks one project (counted as one approval)
num_projects;3
num_votes;7
budget;90
vote_type;choose-1
PROJECTS
project_id;cost;votes;name
x;50;3;Water filters
y;40;2;Bicycle repair point
z;45;2;Library shelves
VOTES
voter_id;vote
1;x
2;x
3;x
4;y
5;y
6;z
7;z
